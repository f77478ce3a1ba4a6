// Parses the NS report answer, an ASP.NET DataSet with its inline xs:schema, in every wrapping
// seen from ASMX services:
//   <NewDataSet> (no namespace) holding the schema, then one <Table> per row   (the ASDK's
//                documented answer to RunReportWithParameters over HTTP POST)
//   <DataSet xmlns="http://Altiris.ASDK.NS.com"> holding the schema, then a diffgr:diffgram (or
//                the <NewDataSet> element) with the rows
//   either one inside a SOAP 1.1/1.2 envelope (...Response/...Result)
// Rows are the elements the schema declares for the table holding the package GUID column;
// cells are named with XmlConvert escapes; a NULL cell is left out (absent, not an error,
// except for the package GUID and the status). All or nothing: any doubt about the answer makes
// it unusable, never partially used, and the message says what arrived instead.
#pragma once

#include <string>
#include <string_view>

#include "config/config.hpp"
#include "core/result.hpp"
#include "ns/ns_answer.hpp"

namespace psguard {

inline constexpr std::string_view kAsdkNamespace = "http://Altiris.ASDK.NS.com";

// XmlConvert.DecodeName: "Package_x0020_Server" -> "Package Server".
std::string decode_xml_name(std::string_view name);

// A short description of a body that is no report (an error answer), for messages: "a SOAP
// fault: ...", "an HTML page \"title\"", "an empty body", else a one-line excerpt.
std::string describe_body(std::string_view body);

Result<NsAnswer> parse_report_dataset(std::string_view body, const NsColumns& columns,
                                      std::string_view server_name);

}  // namespace psguard
