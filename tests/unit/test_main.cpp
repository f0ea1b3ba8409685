// GoogleTest entry point; one thread keeps timings and results stable across machines.
#include <gtest/gtest.h>
#include <torch/utils.h>

int
main (int argc, char **argv)
{
  torch::set_num_threads (1);
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
