#pragma once
// Tells systemd (Type=notify units) that the service is ready or stopping. Without NOTIFY_SOCKET (not run by
// systemd) these do nothing.
namespace nav::ops {

void notifyReady();
void notifyStopping();

} // namespace nav::ops
