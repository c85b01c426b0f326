// SPDX-License-Identifier: MIT
// Shared helpers for the gtest files: assert on srs_error_t and free it.
#ifndef SRS_UTEST_H
#define SRS_UTEST_H

#include <gtest/gtest.h>
#include <string>

extern "C" {
#include "srs_core_error.h"
}

// Expect success; on failure print the whole chain. The error is freed either way.
#define HELPER_EXPECT_SUCCESS(x) do { \
    srs_error_t helper_err_ = (x); \
    EXPECT_TRUE(helper_err_ == srs_success) << srs_error_desc(helper_err_); \
    srs_error_free(helper_err_); \
} while (0)

// Expect a failure with the given code (0: any code).
#define HELPER_EXPECT_FAILED_CODE(x, code) do { \
    srs_error_t helper_err_ = (x); \
    EXPECT_TRUE(helper_err_ != srs_success); \
    if ((code) && helper_err_) { EXPECT_EQ((int)(code), srs_error_code(helper_err_)) << srs_error_desc(helper_err_); } \
    srs_error_free(helper_err_); \
} while (0)
#define HELPER_EXPECT_FAILED(x) HELPER_EXPECT_FAILED_CODE(x, 0)

#endif
