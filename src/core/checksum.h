// A fast 64-bit checksum of a byte range. The app shows it as the proof that inference leaves the
// weights untouched and that LoRA leaves the base untouched; the weights file uses it as a trailer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace knobs {

uint64_t checksum64(const void* data, size_t bytes, uint64_t seed = 0);
// 16 lowercase hex digits.
std::string checksum_hex(uint64_t c);

}  // namespace knobs
