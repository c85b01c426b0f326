/* SPDX-License-Identifier: MIT */
/* Static files from PROXY_STATIC_FILES (default ./trunk/research: the players): GET and HEAD,
 * MIME types, Last-Modified / If-Modified-Since, index.html for directories, CORS as SRS.
 * Nothing outside the root is ever served: ".." segments are refused and the resolved path
 * (symlinks followed) must stay under the resolved root. */
#ifndef SRS_APP_HTTP_STATIC_H
#define SRS_APP_HTTP_STATIC_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_protocol_http.h"

srs_error_t srs_http_static_serve(const char *root, srs_http_conn_t *c, srs_http_request_t *req);
/* The Content-Type for a file name, by extension. */
const char *srs_http_mime_type(const char *path);

#endif
