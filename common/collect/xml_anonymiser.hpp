// Anonymises an XML document generically (snapshot.xml, PackageStatus.xml, the NS answer):
// element and attribute names and the document's shape are kept; every attribute value and
// text is replaced by its name's rule (Anonymiser::field), a file entry's name as a file path;
// xs:schema (the NS answer's column declarations) and namespace attributes are kept as they are.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "collect/anonymiser.hpp"
#include "core/result.hpp"

namespace psguard {

// The anonymised document as UTF-8 XML. Errors: not well-formed XML ("malformed XML: ...").
Result<std::string> anonymise_xml(std::string_view bytes, Anonymiser& anonymiser);

// The NS report answer: its column names (decoded, as SQL names them: the rows' cells and the
// schema's declarations, in order) and the document anonymised with only the first `keep_rows`
// rows (the rows: the most repeated element, the schema aside, whatever the wrapping).
struct NsAnswerSample {
    std::vector<std::string> columns;
    std::size_t rows_total = 0;
    std::size_t rows_kept = 0;
    std::string xml;
};
Result<NsAnswerSample> sample_ns_answer(std::string_view body, Anonymiser& anonymiser,
                                        std::size_t keep_rows = 5);

}  // namespace psguard
