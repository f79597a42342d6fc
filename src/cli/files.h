// Files named on the `knobs` command line, checked before anything is read or trained: a file to read
// must be a regular file no longer than the limit of its kind (a directory, /dev/zero or a FIFO gets a plain
// sentence, never a library's exception text or an endless read), and a file to write must be writable
// before hours of training go into it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace knobs::cli {

struct FileBytes {
    std::vector<uint8_t> bytes;
    std::string error;  // empty when read; otherwise one line naming the file (escaped)
    bool ok() const { return error.empty(); }
};

// `kind` names the file in messages: "weights file", "text file". Reads at most max_bytes + 1 bytes, so a
// file that grows while it is read is refused too.
FileBytes read_checked(const std::string& path, size_t max_bytes, const char* kind);
// The weights file and text limits of src/core (kMaxWeightsFileBytes, kMaxUserTextBytes).
FileBytes read_weights_file(const std::string& path);
FileBytes read_text_file(const std::string& path);

// Empty when `path` can be written (an existing regular file, or a new file in a writable folder); otherwise
// why not. Leaves an existing file unchanged and removes a file it created to find out.
std::string check_writable(const std::string& path);
// Writes all of `bytes` to `path`; empty on success, otherwise why not.
std::string write_file(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace knobs::cli
