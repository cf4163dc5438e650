#include "Validation.h"

#include <QHash>
#include <QJsonDocument>
#include <QtMath>

namespace forgesim {

namespace {

enum class T { Str, Int, Float, Bool, List, Dict };

const QHash<QString, T> &commonFields() {
    static const QHash<QString, T> f = {
        {"prompt", T::Str},
        {"negative_prompt", T::Str},
        {"seed", T::Int},
        {"subseed", T::Int},
        {"subseed_strength", T::Float},
        {"seed_resize_from_w", T::Int},
        {"seed_resize_from_h", T::Int},
        {"sampler_name", T::Str},
        {"sampler_index", T::Str},
        {"scheduler", T::Str},
        {"batch_size", T::Int},
        {"n_iter", T::Int},
        {"steps", T::Int},
        {"cfg_scale", T::Float},
        {"distilled_cfg_scale", T::Float},
        {"width", T::Int},
        {"height", T::Int},
        {"denoising_strength", T::Float},
        {"override_settings", T::Dict},
        {"override_settings_restore_afterwards", T::Bool},
        {"styles", T::List},
        {"restore_faces", T::Bool},
        {"tiling", T::Bool},
        {"force_task_id", T::Str},
        {"alwayson_scripts", T::Dict},
        {"script_name", T::Str},
        {"script_args", T::List},
        {"send_images", T::Bool},
        {"save_images", T::Bool},
        {"infotext", T::Str},
    };
    return f;
}

const QHash<QString, T> &txt2imgFields() {
    static const QHash<QString, T> f = [] {
        QHash<QString, T> h = commonFields();
        h.insert({{"enable_hr", T::Bool},
                  {"hr_scale", T::Float},
                  {"hr_upscaler", T::Str},
                  {"hr_second_pass_steps", T::Int},
                  {"hr_resize_x", T::Int},
                  {"hr_resize_y", T::Int},
                  {"hr_additional_modules", T::List},
                  {"hr_checkpoint_name", T::Str},
                  {"hr_sampler_name", T::Str},
                  {"hr_scheduler", T::Str},
                  {"hr_prompt", T::Str},
                  {"hr_negative_prompt", T::Str},
                  {"hr_cfg", T::Float},
                  {"hr_distilled_cfg", T::Float},
                  {"firstpass_image", T::Str}});
        return h;
    }();
    return f;
}

const QHash<QString, T> &img2imgFields() {
    static const QHash<QString, T> f = [] {
        QHash<QString, T> h = commonFields();
        h.insert({{"init_images", T::List},
                  {"mask", T::Str},
                  {"resize_mode", T::Int},
                  {"mask_blur", T::Int},
                  {"mask_blur_x", T::Int},
                  {"mask_blur_y", T::Int},
                  {"mask_round", T::Bool},
                  {"inpainting_fill", T::Int},
                  {"inpaint_full_res", T::Bool},
                  {"inpaint_full_res_padding", T::Int},
                  {"inpainting_mask_invert", T::Int},
                  {"initial_noise_multiplier", T::Float},
                  {"image_cfg_scale", T::Float},
                  {"include_init_images", T::Bool}});
        return h;
    }();
    return f;
}

QJsonObject error(const QString &type, const QString &key, const QString &msg, const QJsonValue &input) {
    return QJsonObject{{"type", type},
                       {"loc", QJsonArray{"body", key}},
                       {"msg", msg},
                       {"input", input},
                       {"url", "https://errors.pydantic.dev/2.8/v/" + type}};
}

bool parseBool(const QJsonValue &v, bool *ok) {
    *ok = true;
    if (v.isBool())
        return v.toBool();
    if (v.isDouble() && (v.toDouble() == 0 || v.toDouble() == 1))
        return v.toDouble() == 1;
    if (v.isString()) {
        const QString s = v.toString().trimmed().toLower();
        if (QStringList{"1", "true", "t", "yes", "y", "on"}.contains(s))
            return true;
        if (QStringList{"0", "false", "f", "no", "n", "off"}.contains(s))
            return false;
    }
    *ok = false;
    return false;
}

// Returns an error object, or an empty object when the value fits the type.
QJsonObject checkValue(const QString &key, const QJsonValue &v, T type) {
    if (v.isNull())
        return {};
    switch (type) {
    case T::Str:
        return v.isString() ? QJsonObject{} : error("string_type", key, "Input should be a valid string", v);
    case T::Int:
        if (v.isDouble())
            return v.toDouble() == std::floor(v.toDouble())
                       ? QJsonObject{}
                       : error("int_from_float", key,
                               "Input should be a valid integer, got a number with a fractional part", v);
        if (v.isBool())
            return {};
        if (v.isString()) {
            bool ok = false;
            v.toString().trimmed().toLongLong(&ok);
            return ok ? QJsonObject{}
                      : error("int_parsing", key,
                              "Input should be a valid integer, unable to parse string as an integer", v);
        }
        return error("int_type", key, "Input should be a valid integer", v);
    case T::Float:
        if (v.isDouble() || v.isBool())
            return {};
        if (v.isString()) {
            bool ok = false;
            v.toString().trimmed().toDouble(&ok);
            return ok ? QJsonObject{}
                      : error("float_parsing", key,
                              "Input should be a valid number, unable to parse string as a number", v);
        }
        return error("float_type", key, "Input should be a valid number", v);
    case T::Bool: {
        bool ok = false;
        parseBool(v, &ok);
        return ok ? QJsonObject{}
                  : error(v.isString() ? "bool_parsing" : "bool_type", key,
                          v.isString() ? "Input should be a valid boolean, unable to interpret input"
                                       : "Input should be a valid boolean",
                          v);
    }
    case T::List:
        return v.isArray() ? QJsonObject{} : error("list_type", key, "Input should be a valid list", v);
    case T::Dict:
        return v.isObject() ? QJsonObject{}
                            : error("dict_type", key, "Input should be a valid dictionary", v);
    }
    return {};
}

} // namespace

QJsonArray Validation::check(const QByteArray &body, Kind kind, QJsonObject *out) {
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(body.isEmpty() ? QByteArray("{}") : body, &perr);
    if (perr.error != QJsonParseError::NoError)
        return QJsonArray{QJsonObject{{"type", "json_invalid"},
                                      {"loc", QJsonArray{"body", perr.offset}},
                                      {"msg", "JSON decode error"},
                                      {"input", QJsonObject{}},
                                      {"ctx", QJsonObject{{"error", perr.errorString()}}}}};
    if (!doc.isObject())
        return QJsonArray{
            QJsonObject{{"type", "model_attributes_type"},
                        {"loc", QJsonArray{"body"}},
                        {"msg", "Input should be a valid dictionary or object to extract fields from"},
                        {"input", doc.isArray() ? QJsonValue(doc.array()) : QJsonValue()},
                        {"url", "https://errors.pydantic.dev/2.8/v/model_attributes_type"}}};
    *out = doc.object();
    static const QHash<QString, T> pngInfo = {{"image", T::Str}};
    static const QHash<QString, T> progress = {
        {"id_task", T::Str}, {"id_live_preview", T::Int}, {"live_preview", T::Bool}};
    const QHash<QString, T> &fields = kind == Kind::Txt2Img   ? txt2imgFields()
                                      : kind == Kind::Img2Img ? img2imgFields()
                                      : kind == Kind::PngInfo ? pngInfo
                                                              : progress;
    QJsonArray errors;
    for (auto it = out->constBegin(); it != out->constEnd(); ++it) {
        const auto f = fields.constFind(it.key());
        if (f == fields.constEnd())
            continue; // pydantic ignores unknown fields
        const QJsonObject e = checkValue(it.key(), it.value(), f.value());
        if (!e.isEmpty())
            errors.append(e);
    }
    return errors;
}

QString Validation::str(const QJsonObject &o, const char *key, const QString &def) {
    const QJsonValue v = o.value(QLatin1String(key));
    return v.isString() ? v.toString() : def;
}

qint64 Validation::integer(const QJsonObject &o, const char *key, qint64 def) {
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isDouble())
        return qint64(v.toDouble());
    if (v.isBool())
        return v.toBool() ? 1 : 0;
    if (v.isString())
        return v.toString().trimmed().toLongLong();
    return def;
}

double Validation::number(const QJsonObject &o, const char *key, double def) {
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isDouble())
        return v.toDouble();
    if (v.isBool())
        return v.toBool() ? 1 : 0;
    if (v.isString())
        return v.toString().trimmed().toDouble();
    return def;
}

bool Validation::boolean(const QJsonObject &o, const char *key, bool def) {
    const QJsonValue v = o.value(QLatin1String(key));
    bool ok = false;
    const bool b = parseBool(v, &ok);
    return ok ? b : def;
}

} // namespace forgesim
