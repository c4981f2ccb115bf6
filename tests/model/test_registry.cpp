// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>
#include "core/model/nets/tagger_net.h"
TEST(ModelLayer, UnknownArchitectureIsAnError) {
    auto r = tagscope::model::createNet("nope", {}, 50);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("unknown architecture"), std::string::npos);
}
