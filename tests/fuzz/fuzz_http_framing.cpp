// Fuzz target for the HTTP request framing every connection goes through (server/http/RequestFraming: the
// scanner inside RequestReader, with the bodies skipped here by their Content-Length). Besides "never crash,
// never hang":
//  - the verdicts do not depend on how the bytes are split into packets (a request smuggled across a packet
//    boundary must be judged like one sent whole);
//  - an accepted head never carries a body over the limit, and after a refusal nothing else is accepted.
#include "server/http/RequestFraming.h"
#include "tests/fuzz/FuzzCheck.h"

using namespace nav;
using nav::fuzz::check;

namespace {

constexpr http::FramingLimits kLimits{4096, 2048};

bool sameVerdicts(const QList<http::HeadVerdict> &a, const QList<http::HeadVerdict> &b) {
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (a[i].status != b[i].status || a[i].contentLength != b[i].contentLength ||
            a[i].expectContinue != b[i].expectContinue)
            return false;
    return true;
}

// Feeds bytes to the scanner as RequestReader does (heads to the scanner, bodies skipped by their length) and
// returns the verdicts of the heads completed in them. The first refusal is the last verdict.
QList<http::HeadVerdict> feed(http::FramingScanner &scanner, qint64 &bodyRemaining, const char *data,
                              qsizetype size) {
    QList<http::HeadVerdict> verdicts;
    qsizetype pos = 0;
    while (pos < size && !scanner.refused()) {
        if (bodyRemaining > 0) {
            const qint64 take = qMin<qint64>(bodyRemaining, size - pos);
            bodyRemaining -= take;
            pos += take;
            continue;
        }
        std::optional<http::HeadVerdict> verdict;
        pos += scanner.feedHead(data + pos, size - pos, &verdict);
        if (verdict) {
            if (verdict->accepted())
                bodyRemaining = verdict->contentLength;
            verdicts << *std::move(verdict);
        }
    }
    return verdicts;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    // The first byte chooses the packet size of the split feed.
    const qsizetype chunk = 1 + data[0] % 17;
    const QByteArray input = fuzz::bytesOf(data + 1, size - 1);

    http::FramingScanner whole(kLimits);
    qint64 wholeBody = 0;
    const QList<http::HeadVerdict> once = feed(whole, wholeBody, input.constData(), input.size());

    http::FramingScanner split(kLimits);
    qint64 splitBody = 0;
    QList<http::HeadVerdict> pieces;
    for (qsizetype pos = 0; pos < input.size(); pos += chunk)
        pieces += feed(split, splitBody, input.constData() + pos, qMin(chunk, input.size() - pos));
    check(sameVerdicts(once, pieces));
    check(whole.refused() == split.refused());

    for (qsizetype i = 0; i < once.size(); ++i) {
        const http::HeadVerdict &v = once[i];
        if (v.accepted())
            check(v.contentLength >= 0 && v.contentLength <= kLimits.maxBodyBytes);
        else
            check(i == once.size() - 1 && !http::errorCodeFor(v.status).isEmpty());
    }
    // The head judge alone, on the raw input.
    const http::HeadVerdict direct = http::judgeHead(input, kLimits);
    check(direct.accepted() || direct.status >= 400);
    return 0;
}
