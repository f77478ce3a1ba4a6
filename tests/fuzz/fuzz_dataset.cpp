// libFuzzer target: the NS report answer (an ASP.NET XML DataSet) through the parser the NS
// client uses, with the default column names, for server PS01. All or nothing: an answer is
// either refused or every row carries a normalised package id.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/config.hpp"
#include "core/guid.hpp"
#include "ns/dataset_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const psguard::NsColumns columns;
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    auto answer = psguard::parse_report_dataset(body, columns, "PS01");
    if (answer) {
        for (const psguard::NsPackageRow& row : answer->rows) {
            if (psguard::normalise_guid(row.id) != row.id) {
                std::abort();
            }
        }
    }
    (void)psguard::decode_xml_name(body.substr(0, 256));
    return 0;
}
