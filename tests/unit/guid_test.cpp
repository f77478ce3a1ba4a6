#include "core/guid.hpp"

#include <gtest/gtest.h>

namespace psguard {
namespace {

TEST(NormaliseGuid, LowerCasesBracedGuids) {
    EXPECT_EQ(normalise_guid("{6C821F5E-1234-4ABC-9DEF-0123456789AB}"),
              "{6c821f5e-1234-4abc-9def-0123456789ab}");
    EXPECT_EQ(normalise_guid("{6d417916-1234-4abc-9def-0123456789ab}"),
              "{6d417916-1234-4abc-9def-0123456789ab}");
}

TEST(NormaliseGuid, RejectsEverythingElse) {
    EXPECT_FALSE(normalise_guid("6d417916-1234-4abc-9def-0123456789ab"));
    EXPECT_FALSE(normalise_guid("{6d417916-1234-4abc-9def-0123456789a}"));
    EXPECT_FALSE(normalise_guid("{6d417916-1234-4abc-9def-0123456789ag}"));
    EXPECT_FALSE(normalise_guid("{6d417916x1234-4abc-9def-0123456789ab}"));
    EXPECT_FALSE(normalise_guid("{6d417916-1234-4abc-9def-0123456789ab}.old"));
    EXPECT_FALSE(normalise_guid(""));
    EXPECT_FALSE(normalise_guid("{}"));
}

TEST(NormaliseGuid, AcceptsBareGuidsOnlyWhenAllowed) {
    EXPECT_EQ(normalise_guid("6D417916-1234-4ABC-9DEF-0123456789AB", true),
              "{6d417916-1234-4abc-9def-0123456789ab}");
    EXPECT_EQ(normalise_guid("{6D417916-1234-4ABC-9DEF-0123456789AB}", true),
              "{6d417916-1234-4abc-9def-0123456789ab}");
}

}  // namespace
}  // namespace psguard
