/* stats.c: the process-wide counters. */
#include "stats.h"

struct stats	stats;

void
stats_record(const struct stats_req *r)
{
	(void)r;		/* the status page's history: server_stats.c */
}
