#include "server/http/RequestReader.h"

namespace nav::http {

RequestReader::Step RequestReader::next() {
    if (m_scanner.refused())
        return Step::Refused;
    if (m_requestReady)
        return Step::Request;
    if (!m_haveHead) {
        if (m_input.isEmpty())
            return Step::NeedMore;
        std::optional<HeadVerdict> verdict;
        const qsizetype used =
            m_scanner.feedHead(m_input.constData(), m_input.size(), &verdict, &m_request.head);
        if (used >= m_input.size())
            m_input = QByteArray();
        else
            m_input.remove(0, used);
        if (!verdict)
            return Step::NeedMore;
        m_verdict = *std::move(verdict);
        if (!m_verdict.accepted()) {
            m_input = QByteArray();
            m_request = HttpRequest();
            return Step::Refused;
        }
        m_request.http10 = m_verdict.http10;
        m_haveHead = true;
        return Step::Head;
    }
    const qint64 length = m_verdict.contentLength;
    if (m_input.size() < length)
        return Step::NeedMore;
    if (m_input.size() == length) {
        m_request.body = std::exchange(m_input, QByteArray());
    } else {
        m_request.body = m_input.left(length);
        m_input.remove(0, length);
    }
    m_requestReady = true;
    return Step::Request;
}

HttpRequest RequestReader::takeRequest() {
    m_haveHead = false;
    m_requestReady = false;
    return std::exchange(m_request, HttpRequest());
}

} // namespace nav::http
