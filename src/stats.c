/* stats.c: the process-wide counters. */
#include "stats.h"

struct stats	stats;
