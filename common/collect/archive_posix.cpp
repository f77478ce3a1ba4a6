#include <archive.h>
#include <archive_entry.h>

#include <ctime>
#include <memory>

#include "collect/archive.hpp"
#include "core/utf8_path.hpp"

namespace psguard {
namespace {

struct WriterDeleter {
    void operator()(archive* handle) const noexcept { archive_write_free(handle); }
};
struct ReaderDeleter {
    void operator()(archive* handle) const noexcept { archive_read_free(handle); }
};
struct EntryDeleter {
    void operator()(archive_entry* entry) const noexcept { archive_entry_free(entry); }
};

std::string error_of(archive* handle, const std::filesystem::path& file) {
    const char* text = archive_error_string(handle);
    return path_to_utf8(file) + ": " + (text != nullptr ? text : "archive error");
}

}  // namespace

std::string_view archive_extension() {
    return ".tar.gz";
}

Status write_archive(const std::filesystem::path& file, const std::vector<ArchiveEntry>& entries) {
    std::unique_ptr<archive, WriterDeleter> writer(archive_write_new());
    if (!writer || archive_write_add_filter_gzip(writer.get()) != ARCHIVE_OK ||
        archive_write_set_format_pax_restricted(writer.get()) != ARCHIVE_OK ||
        archive_write_open_filename(writer.get(), file.c_str()) != ARCHIVE_OK) {
        return fail(error_of(writer.get(), file));
    }
    const std::time_t now = std::time(nullptr);
    for (const ArchiveEntry& item : entries) {
        std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
        archive_entry_set_pathname(entry.get(), item.name.c_str());
        archive_entry_set_size(entry.get(), static_cast<la_int64_t>(item.bytes.size()));
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_perm(entry.get(), 0600);
        archive_entry_set_mtime(entry.get(), now, 0);
        if (archive_write_header(writer.get(), entry.get()) != ARCHIVE_OK ||
            archive_write_data(writer.get(), item.bytes.data(), item.bytes.size()) !=
                static_cast<la_ssize_t>(item.bytes.size())) {
            return fail(error_of(writer.get(), file));
        }
    }
    if (archive_write_close(writer.get()) != ARCHIVE_OK) {
        return fail(error_of(writer.get(), file));
    }
    return {};
}

Result<std::vector<ArchiveEntry>> read_archive(const std::filesystem::path& file) {
    std::unique_ptr<archive, ReaderDeleter> reader(archive_read_new());
    if (!reader || archive_read_support_filter_all(reader.get()) != ARCHIVE_OK ||
        archive_read_support_format_all(reader.get()) != ARCHIVE_OK ||
        archive_read_open_filename(reader.get(), file.c_str(), 64 * 1024) != ARCHIVE_OK) {
        return fail(error_of(reader.get(), file));
    }
    std::vector<ArchiveEntry> entries;
    archive_entry* entry = nullptr;
    int status = ARCHIVE_OK;
    while ((status = archive_read_next_header(reader.get(), &entry)) == ARCHIVE_OK) {
        ArchiveEntry item;
        item.name = archive_entry_pathname(entry);
        char buffer[64 * 1024];
        la_ssize_t got = 0;
        while ((got = archive_read_data(reader.get(), buffer, sizeof(buffer))) > 0) {
            item.bytes.append(buffer, static_cast<std::size_t>(got));
        }
        if (got < 0) {
            return fail(error_of(reader.get(), file));
        }
        entries.push_back(std::move(item));
    }
    if (status != ARCHIVE_EOF) {
        return fail(error_of(reader.get(), file));
    }
    return entries;
}

}  // namespace psguard
