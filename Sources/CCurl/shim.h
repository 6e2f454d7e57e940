#ifndef RINGBOT_CCURL_SHIM_H
#define RINGBOT_CCURL_SHIM_H
#include <curl/curl.h>
#endif
