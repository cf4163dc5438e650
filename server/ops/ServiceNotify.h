#pragma once
// Tells systemd (Type=notify units) that the service is ready or stopping, through libsystemd's sd_notify.
// Without NOTIFY_SOCKET (not run by systemd) or without libsystemd at build time these do nothing.
namespace nav::ops {

void notifyReady();
void notifyStopping();
// Whether this build can talk to systemd.
bool serviceNotifySupported();

} // namespace nav::ops
