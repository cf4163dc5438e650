#pragma once
// The logging category of navigator_store ("navigator.store"), declared once for the library's sources; defined in
// Database.cpp.
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcStore)
