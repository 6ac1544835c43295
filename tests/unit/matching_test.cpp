// The deny list's match keys: the disguises someone evading it would try.
#include "frontdoor/common/matching.hpp"

#include <gtest/gtest.h>

namespace frontdoor::common {
namespace {

TEST(NameMatchKey, SpacesFormatCharactersAccentsCaseAndPunctuationDoNotCount) {
  const auto key = name_match_key("Ana García");
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(*key, "anagarcia");
  for (const std::string disguise :
       {"ana garcia", "ANA GARCÍA", "Ana\u00a0García", "Ana\u200bGarcía", "Ana\u200d Garcia",
        "Ana\u2003García", "Ana García.", "AnaGarcía", "  Ana   García  ", "Ana\u00adGarcía",
        "\uff21\uff4e\uff41 Garc\u00eda", "Ana Garci\u0301a", "Ana\tGarcía", "Ana-García"}) {
    EXPECT_EQ(name_match_key(disguise), key) << disguise;
  }
  EXPECT_EQ(name_match_key("Straße"), name_match_key("STRASSE"));
  EXPECT_NE(name_match_key("Ana García Junior"), key);
  EXPECT_FALSE(name_match_key(" . \u200b ").has_value());
  // Other scripts keep their letters.
  EXPECT_EQ(name_match_key("李 小龙"), name_match_key("李小龙"));
  EXPECT_NE(name_match_key("李小龙"), name_match_key("李小虎"));
}

TEST(EmailMatchKey, TagsAndGmailDotsFoldToTheMailbox) {
  EXPECT_EQ(email_match_key("Mallory+Party@Example.com"), "mallory@example.com");
  EXPECT_EQ(email_match_key("m.a.l.l.o.r.y@googlemail.com"), "mallory@gmail.com");
  EXPECT_EQ(email_match_key("m.allory+x@gmail.com"), "mallory@gmail.com");
  // Dots count at other providers.
  EXPECT_EQ(email_match_key("m.allory@example.com"), "m.allory@example.com");
}

}  // namespace
}  // namespace frontdoor::common
