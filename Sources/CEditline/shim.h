#ifndef RINGBOT_CEDITLINE_SHIM_H
#define RINGBOT_CEDITLINE_SHIM_H
#include <stdio.h>
#include <editline/readline.h>
#endif
