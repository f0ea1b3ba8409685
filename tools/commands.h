// The `pixelrnn` subcommands; each parses its own options and returns the exit status.
#pragma once

namespace pixelrnn {

int cmd_train (int argc, char **argv);
int cmd_eval (int argc, char **argv);
int cmd_sample (int argc, char **argv);
int cmd_inpaint (int argc, char **argv);
int cmd_info (int argc, char **argv);
int cmd_convert (int argc, char **argv);
int cmd_diff (int argc, char **argv);
int cmd_score (int argc, char **argv);

}  // namespace pixelrnn
