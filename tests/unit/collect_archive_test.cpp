// The support bundle's zip through minizip, natively and under Wine (where the Win32 file
// functions open the file). Written, read back, every byte the same.
#include "collect/archive.hpp"

#include <gtest/gtest.h>

#include <string>

#include "temp_tree.hpp"

namespace psguard {
namespace {

TEST(CollectArchive, RoundTripsEntriesInOrder) {
    test::TempTree tree;
    std::string binary(70000, '\0');
    for (std::size_t i = 0; i < binary.size(); ++i) {
        binary[i] = static_cast<char>(i * 7);
    }
    const std::vector<ArchiveEntry> entries = {
        {"README.txt", "hello\n"},
        {"samples/{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e01}/snapshot.xml", "<snapshot/>"},
        {"empty.txt", ""},
        {"big.bin", binary}};
    const auto file = tree / ("bundle" + std::string(archive_extension()));
    ASSERT_TRUE(write_archive(file, entries));
    auto read = read_archive(file);
    ASSERT_TRUE(read) << read.error().message;
    ASSERT_EQ(read->size(), entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        EXPECT_EQ((*read)[i].name, entries[i].name);
        EXPECT_EQ((*read)[i].bytes, entries[i].bytes) << entries[i].name;
    }
    // Written again: replaced, not appended.
    ASSERT_TRUE(write_archive(file, {{"only.txt", "x"}}));
    EXPECT_EQ(read_archive(file)->size(), 1u);
}

TEST(CollectArchive, NotAnArchiveIsAnError) {
    test::TempTree tree;
    const auto file = tree.write("broken" + std::string(archive_extension()), "not an archive");
    EXPECT_FALSE(read_archive(file));
    EXPECT_FALSE(write_archive(tree / "missing-folder" / "x.zip", {{"a", "b"}}));
}

}  // namespace
}  // namespace psguard
