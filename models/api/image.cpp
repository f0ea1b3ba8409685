#include "image.h"

#include "api/files.h"

#include <cstring>
#include <png.h>

namespace pixelrnn {

namespace {

// libpng's description of an in-memory gray or RGB image.
png_image
describe (const Image &img)
{
  png_image png;
  std::memset (&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  png.width = img.width;
  png.height = img.height;
  png.format = img.channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  return png;
}

}  // namespace

Image
read_png (const std::string &path, int channels)
{
  png_image png;
  std::memset (&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file (&png, path.c_str ()))
    throw ImageError (path + ": cannot read PNG: " + png.message);
  png.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  Image img (png.width, png.height, channels);
  if (!png_image_finish_read (&png, nullptr, img.pixels.data (), 0, nullptr)) {
    std::string msg = png.message;
    png_image_free (&png);
    throw ImageError (path + ": corrupt PNG: " + msg);
  }
  return img;
}

void
write_png (const std::string &path, const Image &img)
{
  if (img.channels != 1 && img.channels != 3)
    throw ImageError (path + ": can only write gray or RGB images");
  png_image png = describe (img);
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory (&png, nullptr, &size, 0, img.pixels.data (), 0, nullptr))
    throw ImageError (path + ": cannot encode PNG: " + png.message);
  std::string bytes (size, '\0');
  if (!png_image_write_to_memory (&png, bytes.data (), &size, 0, img.pixels.data (), 0, nullptr))
    throw ImageError (path + ": cannot encode PNG: " + png.message);
  bytes.resize (size);
  try {
    write_file_atomic (path, bytes);
  } catch (const std::exception &e) {
    throw ImageError (e.what ());
  }
}

size_t
png_size (const Image &img)
{
  png_image png = describe (img);
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory (&png, nullptr, &size, 0, img.pixels.data (), 0, nullptr))
    throw ImageError (std::string ("cannot encode PNG: ") + png.message);
  return size;
}

Image
make_grid (const std::vector<Image> &images, int columns, int pad, uint8_t fill)
{
  if (images.empty ())
    return {};
  const Image &first = images[0];
  int n = static_cast<int> (images.size ());
  columns = std::max (1, std::min (columns, n));
  int rows = (n + columns - 1) / columns;
  Image grid (columns * first.width + (columns + 1) * pad, rows * first.height + (rows + 1) * pad,
      first.channels);
  std::fill (grid.pixels.begin (), grid.pixels.end (), fill);
  for (int k = 0; k < n; ++k) {
    int ox = pad + (k % columns) * (first.width + pad), oy = pad + (k / columns) * (first.height + pad);
    for (int y = 0; y < first.height; ++y)
      for (int x = 0; x < first.width; ++x)
        for (int c = 0; c < first.channels; ++c)
          grid.at (ox + x, oy + y, c) = images[k].at (x, y, c);
  }
  return grid;
}

Image
upscale (const Image &img, int f)
{
  Image out (img.width * f, img.height * f, img.channels);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x)
      for (int c = 0; c < img.channels; ++c)
        out.at (x, y, c) = img.at (x / f, y / f, c);
  return out;
}

}  // namespace pixelrnn
