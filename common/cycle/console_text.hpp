// Text for a console of fixed width: widths counted in characters (UTF-8 code points, not
// bytes), word wrap with a hanging indent, clipping with an ellipsis, and ANSI colour that the
// caller switches on only for a terminal.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace psguard {

// Characters in `text` (UTF-8 code points; a stray continuation byte counts as none).
std::size_t display_width(std::string_view text);

// `text` cut to at most `width` characters, ending in "…" when it was cut; never inside a
// UTF-8 sequence.
std::string clip(std::string_view text, std::size_t width);

// `text` wrapped at `width` characters on blanks, each line after the first indented by
// `indent` spaces; the text's leading blanks are kept, blanks between words become one, a word
// longer than a line is broken. Lines end in '\n'.
std::string wrap(std::string_view text, std::size_t width, std::size_t indent);

enum class Colour { red, yellow, green, bold };

// `text` in `colour` when `enabled`, else `text` unchanged.
std::string paint(std::string_view text, Colour colour, bool enabled);

}  // namespace psguard
