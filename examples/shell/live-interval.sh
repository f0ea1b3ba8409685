#!/bin/sh
# A live source: a leaky queue keeps the camera running while the element scores every 5th
# frame; anomalies print as element messages (-m). Use v4l2src for a real camera.
#   live-interval.sh [BUFFERS]
set -e
buffers=${1:-60}
gst-launch-1.0 -m videotestsrc is-live=true num-buffers="$buffers" pattern=ball ! \
    video/x-raw,width=320,height=240,framerate=30/1 ! \
    queue leaky=downstream max-size-buffers=2 ! videoconvert ! \
    pixelrnnlikelihood interval=5 ! fakesink sync=true | grep -c "pixelrnn-likelihood" |
    xargs printf "%s frames scored out of $buffers\n"
