// The bearer token: comparison, parsing, and a round trip through a real admin-only file.
#include <gtest/gtest.h>

#include <fstream>

#include "endpoint/token_file.hpp"
#include "unit/temp_tree.hpp"

namespace psguard {
namespace {

TEST(TokenFile, ComparesTokens) {
    EXPECT_TRUE(tokens_equal("0123456789abcdef", "0123456789abcdef"));
    EXPECT_FALSE(tokens_equal("0123456789abcdef", "0123456789abcdeX"));
    EXPECT_FALSE(tokens_equal("0123456789abcdef", "X123456789abcdef"));
    EXPECT_FALSE(tokens_equal("0123456789abcdef", "0123456789abcde"));
    EXPECT_FALSE(tokens_equal("0123456789abcdef", "0123456789abcdef0"));
    EXPECT_FALSE(tokens_equal("0123456789abcdef", ""));
    EXPECT_FALSE(tokens_equal("0123456789abcdef", std::string("0123456789abcdef\0", 17)));
}

TEST(TokenFile, ParsesTheFirstLine) {
    EXPECT_EQ(*parse_token_text("0123456789abcdef\n", "t"), "0123456789abcdef");
    EXPECT_EQ(*parse_token_text("  0123456789abcdef \r\nsecond line", "t"), "0123456789abcdef");
    EXPECT_FALSE(parse_token_text("", "t").ok());
    EXPECT_FALSE(parse_token_text("short\n", "t").ok());
    EXPECT_FALSE(parse_token_text("0123456789 abcdef\n", "t").ok());
    EXPECT_FALSE(parse_token_text("0123456789abcdef\x7f", "t").ok());
    EXPECT_FALSE(parse_token_text(std::string(kMaxTokenChars + 1, 'a'), "t").ok());
    const auto refused = parse_token_text("x", "/etc/psguard/endpoint.token");
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("/etc/psguard/endpoint.token"), std::string::npos);
}

TEST(TokenFile, HexEncodes) {
    const unsigned char bytes[] = {0x00, 0x0f, 0xa5, 0xff};
    EXPECT_EQ(hex_encode(bytes), "000fa5ff");
}

TEST(TokenFile, CreatesRandomHexTokens) {
    test::TempTree tree;
    const auto file = tree / "endpoint.token";
    const auto first = create_token_file(file);
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_EQ(first->size(), 2 * kGeneratedTokenBytes);
    EXPECT_EQ(first->find_first_not_of("0123456789abcdef"), std::string::npos);
    std::string content;
    std::getline(std::ifstream(file), content);
    EXPECT_EQ(parse_token_text(content, file).value(), *first);

    // A second call replaces the token; no temporary file is left behind.
    const auto second = create_token_file(file);
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_NE(*second, *first);
    EXPECT_FALSE(std::filesystem::exists(tree / "endpoint.token.new"));
}

TEST(TokenFile, EnsureCreatesAMissingFile) {
    test::TempTree tree;
    const auto file = tree / "endpoint.token";
    const auto token = ensure_token_file(file);
    ASSERT_TRUE(token.ok()) << token.error().message;
    EXPECT_EQ(token->size(), 2 * kGeneratedTokenBytes);
    EXPECT_TRUE(std::filesystem::is_regular_file(file));
    EXPECT_FALSE(ensure_token_file(tree / "missing" / "endpoint.token").ok());
}

TEST(TokenFile, MissingFileIsAnError) {
    test::TempTree tree;
    const auto read = read_token_file(tree / "absent.token");
    ASSERT_FALSE(read.ok());
    EXPECT_NE(read.error().message.find("absent.token"), std::string::npos);
}

}  // namespace
}  // namespace psguard
