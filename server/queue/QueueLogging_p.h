#pragma once
// The logging category of navigator_queue ("navigator.queue"), declared once for the library's sources;
// defined in BackendWorker.cpp.
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcQueue)
