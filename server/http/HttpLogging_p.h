#pragma once
// The logging category of navigator_http ("navigator.http"), declared once for the library's sources; defined
// in Responder.cpp.
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcHttp)
