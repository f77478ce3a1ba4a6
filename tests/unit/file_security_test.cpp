// A file's security as the journal keeps it (both platforms' forms), and read then applied on a
// real file of this platform (natively and under Wine).
#include "acl/file_security.hpp"

#include <gtest/gtest.h>

#include "unit/temp_tree.hpp"

namespace psguard {
namespace {

TEST(FileSecurity, JournalFormRoundTrips) {
    FileSecurity posix;
    posix.owner = 65534;
    posix.group = 65534;
    posix.mode = 04644;
    posix.acl = "user::rw-,user:1234:r--,group::r--,mask::r--,other::r--";
    const auto json = to_json(posix);
    EXPECT_EQ(json["mode"], "4644");
    EXPECT_EQ(json["owner"], 65534);
    auto back = file_security_from_json(json);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, posix);

    posix.acl.clear();
    EXPECT_FALSE(to_json(posix).contains("acl")) << "no ACL beyond the mode bits: no key";

    FileSecurity windows;
    windows.descriptor = "O:SYG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)";
    back = file_security_from_json(to_json(windows));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, windows);
}

TEST(FileSecurity, DamagedJournalFormIsAnError) {
    for (const char* text :
         {R"("0644")", R"({"owner":0,"group":0})", R"({"owner":0,"group":0,"mode":"0999"})",
          R"({"owner":-1,"group":0,"mode":"0644"})", R"({"owner":0,"group":0,"mode":"10000"})",
          R"({"descriptor":""})", R"({"owner":0,"group":0,"mode":"0644","acl":7})"}) {
        EXPECT_FALSE(file_security_from_json(nlohmann::json::parse(text))) << text;
    }
}

TEST(FileSecurity, WhatIsReadAppliesUnchanged) {
    test::TempTree tree;
    const auto file = tree.write("snapshot.xml", "<snapshot/>");
    const auto security = read_file_security(file);
    ASSERT_TRUE(security) << security.error().message;
    EXPECT_TRUE(apply_file_security(file, *security)) << "nothing differs: nothing to change";
    const auto again = read_file_security(file);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *security);
}

TEST(FileSecurity, RefusesAFolder) {
    test::TempTree tree;
    EXPECT_FALSE(read_file_security(tree.mkdir("folder")));
}

}  // namespace
}  // namespace psguard
