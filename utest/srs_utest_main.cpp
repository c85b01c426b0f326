// SPDX-License-Identifier: MIT
// The utest entry: ST is initialised once so tests can start coroutines.
#include <gtest/gtest.h>

extern "C" {
#include "srs_core_log.h"
#include "srs_protocol_st.h"
}

int main(int argc, char **argv)
{
    testing::InitGoogleTest(&argc, argv);
    srs_log_set_level(SRS_LOG_OFF);
    srs_error_t err = srs_st_init();
    if (err) {
        fprintf(stderr, "st init: %s\n", srs_error_desc(err));
        return 1;
    }
    return RUN_ALL_TESTS();
}
