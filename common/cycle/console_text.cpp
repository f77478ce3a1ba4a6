#include "cycle/console_text.hpp"

#include <algorithm>
#include <vector>

namespace psguard {
namespace {

constexpr std::string_view kEllipsis = "\u2026";

bool is_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The byte offset after the first `count` characters of `text` (its size when shorter).
std::size_t offset_of(std::string_view text, std::size_t count) {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!is_continuation(text[i])) {
            if (seen == count) {
                return i;
            }
            ++seen;
        }
    }
    return text.size();
}

std::vector<std::string_view> words_of(std::string_view text) {
    std::vector<std::string_view> words;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t blank = text.find(' ', start);
        const std::size_t end = blank == std::string_view::npos ? text.size() : blank;
        if (end > start) {
            words.push_back(text.substr(start, end - start));
        }
        start = end + 1;
    }
    return words;
}

}  // namespace

std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    for (const char c : text) {
        width += is_continuation(c) ? 0 : 1;
    }
    return width;
}

std::string clip(std::string_view text, std::size_t width) {
    if (display_width(text) <= width) {
        return std::string(text);
    }
    if (width == 0) {
        return {};
    }
    return std::string(text.substr(0, offset_of(text, width - 1))) + std::string(kEllipsis);
}

std::string wrap(std::string_view text, std::size_t width, std::size_t indent) {
    const std::string margin(indent, ' ');
    // Leading blanks are kept: they indent the first line (or stand in for a label).
    const std::size_t lead = std::min(text.find_first_not_of(' '), text.size());
    std::string out;
    std::string line(text.substr(0, lead));
    std::size_t line_width = lead;
    bool line_empty = true;  // no word on the line yet
    const auto end_line = [&] {
        out += line + '\n';
        line = margin;
        line_width = indent;
        line_empty = true;
    };
    for (std::string_view word : words_of(text.substr(lead))) {
        std::size_t word_width = display_width(word);
        if (!line_empty && line_width + 1 + word_width > width) {
            end_line();
        }
        if (!line_empty) {
            line += ' ';
            ++line_width;
        }
        // A word wider than what is left of the line (a long path) is broken.
        while (line_width + word_width > width && line_width < width) {
            const std::size_t cut = offset_of(word, width - line_width);
            line += word.substr(0, cut);
            word.remove_prefix(cut);
            word_width = display_width(word);
            end_line();
        }
        line += word;
        line_width += word_width;
        line_empty = line_empty && word.empty();
    }
    if (!line_empty || out.empty()) {
        out += line + '\n';
    }
    return out;
}

std::string paint(std::string_view text, Colour colour, bool enabled) {
    if (!enabled || text.empty()) {
        return std::string(text);
    }
    const char* code = "";
    switch (colour) {
        case Colour::red:
            code = "\x1b[31m";
            break;
        case Colour::yellow:
            code = "\x1b[33m";
            break;
        case Colour::green:
            code = "\x1b[32m";
            break;
        case Colour::bold:
            code = "\x1b[1m";
            break;
    }
    return code + std::string(text) + "\x1b[0m";
}

}  // namespace psguard
