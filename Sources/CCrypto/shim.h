#ifndef RINGBOT_CCRYPTO_SHIM_H
#define RINGBOT_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#endif
