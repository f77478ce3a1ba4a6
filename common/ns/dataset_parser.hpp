// Parses the NS report answer: an ASP.NET XML DataSet (root DataSet in namespace
// http://Altiris.ASDK.NS.com, an inline xs:schema, a diffgr:diffgram holding NewDataSet/Table
// rows). All or nothing: any doubt about the answer makes it unusable, never partially used.
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

Result<NsAnswer> parse_report_dataset(std::string_view body, const NsColumns& columns,
                                      std::string_view server_name);

}  // namespace psguard
