#pragma once
// File names of downloaded models come from a remote server, so they are checked before they are joined to
// a folder: no path separators, no "." or "..", no absolute or drive paths, no control characters, no leading
// dot (hidden files and our own temporary files), at most 255 bytes.
#include <QString>

namespace nav::civitai {

bool isSafeRemoteFileName(const QString &name);

} // namespace nav::civitai
