// Fuzz target for the request reader of both ports (server/http/RequestReader, fed by every
// RawHttpConnection). Besides "never crash, never hang":
//  - the heads, requests and refusals do not depend on how the bytes are split into reads;
//  - an accepted head never announces a body over the limit, and a refusal has an error code;
//  - every request carries exactly its Content-Length of body, a method and a target without spaces, and
//    field names in lower case; a refusal is the last event.
#include "server/http/RequestReader.h"
#include "tests/fuzz/FuzzCheck.h"

using namespace nav;
using nav::fuzz::check;

namespace {

constexpr http::FramingLimits kLimits{4096, 2048};

struct Event {
    http::RequestReader::Step step;
    int status = 0;
    qint64 contentLength = 0;
    QByteArray method, target, body;
    QList<std::pair<QByteArray, QByteArray>> fields;
    bool operator==(const Event &o) const {
        return step == o.step && status == o.status && contentLength == o.contentLength &&
               method == o.method && target == o.target && body == o.body && fields == o.fields;
    }
};

// Steps through everything the reader can produce from what it has buffered.
void drain(http::RequestReader &reader, QList<Event> &events) {
    using Step = http::RequestReader::Step;
    for (;;) {
        const Step step = reader.next();
        if (step == Step::NeedMore)
            return;
        Event e{step};
        if (step == Step::Refused) {
            e.status = reader.verdict().status;
            events << e;
            return;
        }
        if (step == Step::Head) {
            e.contentLength = reader.verdict().contentLength;
        } else {
            const qint64 expected = reader.verdict().contentLength;
            http::HttpRequest request = reader.takeRequest();
            check(request.body.size() == expected);
            check(!request.head.method.isEmpty() && !request.head.target.isEmpty());
            check(!request.head.target.contains(' '));
            for (const auto &[name, value] : request.head.fields)
                check(!name.isEmpty() && name == name.toLower());
            e.method = request.head.method;
            e.target = request.head.target;
            e.body = request.body;
            e.fields = request.head.fields;
        }
        events << e;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    // The first byte chooses the read size of the split feed.
    const qsizetype chunk = 1 + data[0] % 23;
    const QByteArray input = fuzz::bytesOf(data + 1, size - 1);

    http::RequestReader whole(kLimits);
    QList<Event> once;
    whole.append(input.constData(), input.size());
    drain(whole, once);

    http::RequestReader split(kLimits);
    QList<Event> pieces;
    for (qsizetype pos = 0; pos < input.size(); pos += chunk) {
        split.append(input.constData() + pos, qMin(chunk, input.size() - pos));
        drain(split, pieces);
        if (!pieces.isEmpty() && pieces.last().step == http::RequestReader::Step::Refused)
            break; // a refusal is final (the connection closes)
    }
    check(once == pieces);

    for (const Event &e : once) {
        if (e.step == http::RequestReader::Step::Head)
            check(e.contentLength >= 0 && e.contentLength <= kLimits.maxBodyBytes);
        else if (e.step == http::RequestReader::Step::Refused)
            check(e.status >= 400 && !http::errorCodeFor(e.status).isEmpty());
    }
    for (qsizetype i = 0; i + 1 < once.size(); ++i)
        check(once[i].step != http::RequestReader::Step::Refused);
    return 0;
}
