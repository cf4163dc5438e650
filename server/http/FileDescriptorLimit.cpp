#include "server/http/FileDescriptorLimit.h"

#include <algorithm>
#include <sys/resource.h>

namespace nav::http {

long raiseFileDescriptorLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 1024;
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            limit = raised;
    }
    return limit.rlim_cur == RLIM_INFINITY ? 1'000'000L : static_cast<long>(limit.rlim_cur);
}

int connectionCapFor(long descriptorLimit, int configured, int reserve) {
    const long perPort = std::max(16L, (descriptorLimit - reserve) / 2);
    return static_cast<int>(std::min<long>(configured, perPort));
}

} // namespace nav::http
