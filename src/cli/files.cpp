#include "cli/files.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "cli/args.h"
#include "core/utf8.h"
#include "core/weights_file.h"

namespace knobs::cli {

namespace {

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

std::string cannot(const char* what, const std::string& path, int err) {
    return std::string("cannot ") + what + " " + shown(path) + ": " + std::strerror(err);
}

}  // namespace

FileBytes read_checked(const std::string& path, size_t max_bytes, const char* kind) {
    FileBytes r;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        r.error = cannot("read", path, errno);
        return r;
    }
    if (S_ISDIR(st.st_mode)) {
        r.error = shown(path) + " is a directory, not a " + kind;
        return r;
    }
    if (!S_ISREG(st.st_mode)) {
        r.error = shown(path) + " is not a regular file (a device, a pipe or a socket?), so it is not read as a " + kind;
        return r;
    }
    const auto too_long = [&](size_t n, const char* more) {
        return shown(path) + " is " + std::to_string(n) + " bytes" + more + "; a " + kind + " is at most " + std::to_string(max_bytes) +
               " bytes";
    };
    if (static_cast<unsigned long long>(st.st_size) > max_bytes) {
        r.error = too_long(static_cast<size_t>(st.st_size), "");
        return r;
    }
    File f(std::fopen(path.c_str(), "rb"));
    if (!f) {
        r.error = cannot("read", path, errno);
        return r;
    }
    // In pieces, up to one byte more than allowed: the size stat() saw may be stale (a file still being
    // written, or one whose size the system does not know), and the read stops at the limit either way.
    size_t n = 0;
    while (n <= max_bytes) {
        const size_t piece = std::min<size_t>(size_t{1} << 20, max_bytes + 1 - n);
        r.bytes.resize(n + piece);
        const size_t got = std::fread(r.bytes.data() + n, 1, piece, f.get());
        n += got;
        if (got < piece) break;
    }
    if (std::ferror(f.get())) {
        r.bytes.clear();
        r.error = cannot("read", path, errno ? errno : EIO);
        return r;
    }
    r.bytes.resize(std::min(n, max_bytes));
    if (n > max_bytes) {
        r.bytes.clear();
        r.error = too_long(n, " or more");
    }
    return r;
}

FileBytes read_weights_file(const std::string& path) { return read_checked(path, kMaxWeightsFileBytes, "weights file"); }
FileBytes read_text_file(const std::string& path) { return read_checked(path, kMaxUserTextBytes, "text file"); }

std::string check_writable(const std::string& path) {
    struct stat st {};
    const bool exists = ::stat(path.c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) return shown(path) + " is a directory; --out names the file to write";
    if (exists && !S_ISREG(st.st_mode)) return shown(path) + " is not a regular file; --out names the file to write";
    // Opening for append changes no byte of an existing file.
    File f(std::fopen(path.c_str(), "ab"));
    if (!f) return cannot("write", path, errno);
    f.reset();
    if (!exists) std::remove(path.c_str());
    return {};
}

std::string write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
    File f(std::fopen(path.c_str(), "wb"));
    if (!f) return cannot("write", path, errno);
    const size_t n = bytes.empty() ? 0 : std::fwrite(bytes.data(), 1, bytes.size(), f.get());
    const int err = errno;
    if (n != bytes.size() || std::fclose(f.release()) != 0) return cannot("write", path, err ? err : EIO);
    return {};
}

}  // namespace knobs::cli
