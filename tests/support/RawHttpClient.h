#pragma once
// A raw HTTP/1.1 client connection for the tests of both ports' servers (tst_realtime_http, tst_http_server):
// sends bytes as given and reads Content-Length framed responses one at a time.
#include <QHostAddress>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>

namespace nav::test {

inline constexpr int kWaitMs = 10000;

struct Response {
    int status = 0;
    QByteArray head; // status line and headers
    QByteArray body;
    bool complete = false;
    QByteArray header(const QByteArray &name) const {
        const auto m = QRegularExpression("\r\n" + QRegularExpression::escape(QString::fromLatin1(name)) +
                                              ":\\s*([^\r]*)",
                                          QRegularExpression::CaseInsensitiveOption)
                           .match(QString::fromLatin1(head));
        return m.hasMatch() ? m.captured(1).toLatin1() : QByteArray();
    }
};

// A raw client connection that reads Content-Length framed responses one at a time.
class Client {
public:
    bool connectTo(quint16 port) {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        return m_socket.waitForConnected(kWaitMs);
    }
    void send(const QByteArray &bytes) {
        m_socket.write(bytes);
        m_socket.flush();
    }
    // The next whole response (complete = false when none arrives in time).
    Response read(int waitMs = kWaitMs) {
        Response r;
        (void)QTest::qWaitFor(
            [&] {
                m_buffer += m_socket.readAll();
                const qsizetype end = m_buffer.indexOf("\r\n\r\n");
                if (end < 0)
                    return false;
                r.head = m_buffer.left(end);
                const qsizetype length = r.header("Content-Length").toLongLong();
                if (m_buffer.size() < end + 4 + length)
                    return false;
                r.body = m_buffer.mid(end + 4, length);
                m_buffer.remove(0, end + 4 + length);
                r.status = r.head.mid(9, 3).toInt();
                r.complete = true;
                return true;
            },
            waitMs);
        return r;
    }
    Response roundTrip(const QByteArray &request) {
        send(request);
        return read();
    }
    // True once the server has closed the connection (everything it sent is in buffered()).
    bool waitClosed(int waitMs = kWaitMs) {
        return QTest::qWaitFor(
            [&] {
                m_buffer += m_socket.readAll();
                return m_socket.state() == QAbstractSocket::UnconnectedState;
            },
            waitMs);
    }
    bool stillOpenAfter(int ms) {
        QTest::qWait(ms);
        m_buffer += m_socket.readAll();
        return m_socket.state() == QAbstractSocket::ConnectedState;
    }
    const QByteArray &buffered() const { return m_buffer; }
    QTcpSocket &socket() { return m_socket; }

private:
    QTcpSocket m_socket;
    QByteArray m_buffer;
};

} // namespace nav::test
