// Serialises report rows the way an ASMX method returning a System.Data.DataSet does:
// inline xs:schema, then the rows inside a diffgr:diffgram.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace psguard::emulator {

inline constexpr std::string_view kAsdkNamespace = "http://Altiris.ASDK.NS.com";

struct ReportRow {
    std::string server;
    std::string name;
    std::string status;
    std::optional<std::string> ns_version;
    std::optional<std::string> reported_version;
    std::string guid;  // as SQL Server prints a uniqueidentifier: lower case, no braces
};

struct DataSetOptions {
    std::string_view root_namespace = kAsdkNamespace;
    bool include_status = true;  // false: the missing_column fault
};

std::string xml_escape(std::string_view text);

std::string render_dataset(const std::vector<ReportRow>& rows, const DataSetOptions& options = {});

// The pieces render_dataset joins, for writers that stream rows.
std::string dataset_prefix(const DataSetOptions& options);  // up to and including <NewDataSet>
std::string dataset_row(const ReportRow& row, std::size_t index, const DataSetOptions& options);
std::string dataset_suffix();  // from </NewDataSet> to the end

// A well-formed DataSet of exactly `target_bytes` (or the smallest possible one, if larger),
// produced piece by piece so a 64 MiB answer never sits in memory.
class HugeDataSet {
  public:
    HugeDataSet(std::string server, std::uint64_t target_bytes);

    std::uint64_t size() const { return size_; }

    // Replaces `out` with the next piece (about 64 KiB); false when the body is complete.
    bool next(std::string& out);

  private:
    ReportRow row(std::size_t index) const;

    std::string server_;
    std::string prefix_;
    std::string suffix_;
    std::size_t row_count_ = 0;
    std::uint64_t padding_ = 0;
    std::uint64_t size_ = 0;

    enum class Part { prefix, rows, padding, suffix, done };
    Part part_ = Part::prefix;
    std::size_t next_row_ = 0;
    std::uint64_t padding_left_ = 0;
};

}  // namespace psguard::emulator
