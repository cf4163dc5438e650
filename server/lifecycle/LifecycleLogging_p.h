#pragma once
// The logging category of navigator_lifecycle ("navigator.lifecycle"), declared once for the library's sources; defined in
// SignalWatcher.cpp.
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcLifecycle)
