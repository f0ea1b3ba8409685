// GstHarness tests of the elements, registered statically (no plugin path needed).
#include "gstpixelrnninpaint.h"
#include "gstpixelrnnlikelihood.h"
#include "gstpixelrnnsrc.h"
#include "gstpixelrnntrain.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  GST_ELEMENT_REGISTER (pixelrnnlikelihood, NULL);
  GST_ELEMENT_REGISTER (pixelrnninpaint, NULL);
  GST_ELEMENT_REGISTER (pixelrnnsrc, NULL);
  GST_ELEMENT_REGISTER (pixelrnntrain, NULL);
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
