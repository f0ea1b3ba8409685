#include "tensor_image.h"

namespace pixelrnn {

torch::Tensor
image_to_tensor (const Image &img)
{
  auto hwc = torch::from_blob (const_cast<uint8_t *> (img.pixels.data ()),
      {img.height, img.width, img.channels}, torch::kUInt8);
  // Always a copy: with one channel the permuted view already counts as contiguous, and
  // contiguous() would return a view of img's buffer, left dangling once img is gone.
  return hwc.permute ({2, 0, 1}).clone (torch::MemoryFormat::Contiguous);
}

Image
tensor_to_image (const torch::Tensor &chw)
{
  auto hwc = chw.to (torch::kUInt8).permute ({1, 2, 0}).contiguous ();
  Image img (static_cast<int> (chw.size (2)), static_cast<int> (chw.size (1)),
      static_cast<int> (chw.size (0)));
  std::memcpy (img.pixels.data (), hwc.data_ptr<uint8_t> (), img.pixels.size ());
  return img;
}

torch::Tensor
idx_to_tensor (const IdxImages &idx)
{
  return torch::from_blob (const_cast<uint8_t *> (idx.pixels.data ()),
      {idx.count, 1, idx.rows, idx.cols}, torch::kUInt8).clone ();
}

}  // namespace pixelrnn
