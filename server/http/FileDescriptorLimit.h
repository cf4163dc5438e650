#pragma once
// Each open connection costs a file descriptor. Navigator raises its soft RLIMIT_NOFILE to the hard limit at
// start-up and keeps HTTP_MAX_CONNECTIONS of both ports below it, so accept() never fails with EMFILE (which
// would also starve database files and outgoing connections to Forge).
namespace nav::http {

// Raises the soft descriptor limit to the hard one; returns the soft limit now in force.
long raiseFileDescriptorLimit();

// The connection cap per port that leaves `reserve` descriptors free with two listening ports.
int connectionCapFor(long descriptorLimit, int configured, int reserve = 256);

} // namespace nav::http
