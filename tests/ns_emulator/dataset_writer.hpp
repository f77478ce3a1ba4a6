// Serialises report rows the way the NS answers RunReportWithParameters, in every shape psguard
// must read (common/ns/dataset_parser.hpp):
//   new_dataset       <NewDataSet> (no namespace), inline xs:schema, one <Table> per row: the
//                     ASDK's documented answer over HTTP POST, and the default
//   dataset_diffgram  <DataSet xmlns="http://Altiris.ASDK.NS.com">, schema, diffgr:diffgram
//   dataset_plain     <DataSet xmlns=...>, schema, <NewDataSet> with the rows, no diffgram
//   soap11, soap12    a SOAP envelope around RunReportWithParametersResult (schema + diffgram)
// NULL cells are left out of the row, as ASP.NET does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace psguard::emulator {

inline constexpr std::string_view kAsdkNamespace = "http://Altiris.ASDK.NS.com";

enum class AnswerShape { new_dataset, dataset_diffgram, dataset_plain, soap11, soap12 };

std::optional<AnswerShape> answer_shape_from_string(std::string_view name);
std::string_view to_string(AnswerShape shape);

// The report's columns as XmlConvert.EncodeName writes the aliases of config/ns-report.sql.
inline constexpr std::string_view kServerColumn = "Package_x0020_Server";
inline constexpr std::string_view kNameColumn = "Package_x0020_Name";
inline constexpr std::string_view kStatusColumn = "Status";
inline constexpr std::string_view kNsVersionColumn = "Package_x0020_Version_x0020_on_x0020_NS";
inline constexpr std::string_view kReportedColumn =
    "Version_x0020_Last_x0020_Reported_x0020_by_x0020_PS";
inline constexpr std::string_view kGuidColumn = "Package_x0020_GUID";
inline constexpr std::string_view kErrorColumn = "Error";  // optional, commented in the SQL

struct ReportRow {
    std::optional<std::string> server;  // nullopt: DBNull, the cell is left out
    std::optional<std::string> name;
    std::string status;
    std::optional<std::string> ns_version;
    std::optional<std::string> reported_version;
    std::string guid;  // as SQL Server prints a uniqueidentifier: lower case, no braces
    std::optional<std::string> error;
};

struct DataSetOptions {
    AnswerShape shape = AnswerShape::new_dataset;
    // The root's namespace; nullopt: the shape's own (none for new_dataset, the ASDK's for the
    // DataSet wrappers). Set for the wrong_namespace fault.
    std::optional<std::string> root_namespace;
    std::string row_element = "Table";
    bool include_status = true;  // false: the missing_column fault
    bool include_error = false;  // the optional Error column
};

std::string xml_escape(std::string_view text);

std::string render_dataset(const std::vector<ReportRow>& rows, const DataSetOptions& options = {});

// The pieces render_dataset joins, for writers that stream rows.
std::string dataset_prefix(const DataSetOptions& options);  // everything before the first row
std::string dataset_row(const ReportRow& row, std::size_t index, const DataSetOptions& options);
std::string dataset_suffix(const DataSetOptions& options);  // everything after the last row

// A well-formed answer of exactly `target_bytes` (or the smallest possible one, if larger),
// produced piece by piece so a 64 MiB answer never sits in memory.
class HugeDataSet {
  public:
    HugeDataSet(std::string server, std::uint64_t target_bytes, DataSetOptions options);

    std::uint64_t size() const { return size_; }

    // Replaces `out` with the next piece (about 64 KiB); false when the body is complete.
    bool next(std::string& out);

  private:
    ReportRow row(std::size_t index) const;

    std::string server_;
    DataSetOptions options_;
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
