#pragma once
// Heavy request work (parsing and checking a big JSON body, base64 decoding) on a worker thread, so that one
// 50 MB img2img upload does not stall every other request. Small inputs are handled inline: for them a thread
// hop costs more than the work.
#include "server/common/WorkerPriority.h"

#include <QCoreApplication>

namespace nav::api {

// Bodies at least this big are parsed off the event loop.
constexpr qsizetype kOffLoopBodyBytes = 256 * 1024;

// Runs `work` on the global thread pool when `heavy`, otherwise at once; `then` gets its result on the main
// thread either way. `work` must not touch objects owned by the main thread.
template <typename Work, typename Then> void runMaybeOffLoop(bool heavy, Work work, Then then) {
    if (!heavy) {
        then(work());
        return;
    }
    common::runInBackground(std::move(work)).then(QCoreApplication::instance(), std::move(then));
}

} // namespace nav::api
