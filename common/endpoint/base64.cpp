#include "endpoint/base64.hpp"

#include <boost/beast/core/detail/base64.hpp>

namespace psguard {

namespace codec = boost::beast::detail::base64;

std::string base64_encode(std::string_view bytes) {
    std::string out(codec::encoded_size(bytes.size()), '\0');
    out.resize(codec::encode(out.data(), bytes.data(), bytes.size()));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    std::size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
        ++padding;
    }
    std::string out(codec::decoded_size(text.size()), '\0');
    const auto [written, read] = codec::decode(out.data(), text.data(), text.size() - padding);
    if (read != text.size() - padding) {
        return std::nullopt;  // a character outside the alphabet, or '=' inside
    }
    out.resize(written);
    return out;
}

}  // namespace psguard
