#include "server/ops/ServiceNotify.h"

#ifdef NAVIGATOR_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace nav::ops {

#ifdef NAVIGATOR_HAVE_SYSTEMD
void notifyReady() {
    sd_notify(0, "READY=1\nSTATUS=Serving the HTTP API and socket.io");
}
void notifyStopping() {
    sd_notify(0, "STOPPING=1\nSTATUS=Shutting down");
}
bool serviceNotifySupported() {
    return true;
}
#else
void notifyReady() {}
void notifyStopping() {}
bool serviceNotifySupported() {
    return false;
}
#endif

} // namespace nav::ops
