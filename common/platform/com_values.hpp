// RAII for the values of late-bound COM: interfaces (WRL's ComPtr), BSTR and VARIANT, each freed
// once by its owner. Windows-only; the header is empty elsewhere.
#pragma once

#ifdef _WIN32

#include <windows.h>
// (after windows.h)
#include <ole2.h>
#include <oleauto.h>
#include <wrl/client.h>

#include <string_view>
#include <utility>

#include "platform/win_text.hpp"

namespace psguard {

using Microsoft::WRL::ComPtr;

// Owns a BSTR (SysAllocString / SysFreeString).
class Bstr {
  public:
    Bstr() noexcept = default;
    explicit Bstr(std::string_view utf8) {
        const std::wstring wide = to_wide(utf8);
        value_ = SysAllocStringLen(wide.data(), static_cast<UINT>(wide.size()));
    }
    ~Bstr() { SysFreeString(value_); }
    Bstr(const Bstr&) = delete;
    Bstr& operator=(const Bstr&) = delete;
    Bstr(Bstr&& other) noexcept : value_(std::exchange(other.value_, nullptr)) {}
    Bstr& operator=(Bstr&& other) noexcept {
        std::swap(value_, other.value_);
        return *this;
    }

    BSTR get() const noexcept { return value_; }
    BSTR* out() noexcept {  // for APIs that return a BSTR: frees what was held first
        SysFreeString(std::exchange(value_, nullptr));
        return &value_;
    }
    BSTR release() noexcept { return std::exchange(value_, nullptr); }
    std::string utf8() const {
        return value_ == nullptr ? std::string() : to_utf8({value_, SysStringLen(value_)});
    }

  private:
    BSTR value_ = nullptr;
};

// Owns a VARIANT (VariantInit / VariantClear): whatever it holds (BSTR, IDispatch*, SAFEARRAY)
// is released with it.
class Variant {
  public:
    Variant() noexcept { VariantInit(&value_); }
    ~Variant() { VariantClear(&value_); }
    Variant(const Variant&) = delete;
    Variant& operator=(const Variant&) = delete;

    static Variant of_string(std::string_view utf8) {
        Variant v;
        v.value_.vt = VT_BSTR;
        v.value_.bstrVal = Bstr(utf8).release();
        return v;
    }
    static Variant of_int(LONG number) {
        Variant v;
        v.value_.vt = VT_I4;
        v.value_.lVal = number;
        return v;
    }
    static Variant of_dispatch(IDispatch* object) {  // takes a reference of its own
        Variant v;
        v.value_.vt = VT_DISPATCH;
        v.value_.pdispVal = object;
        if (object != nullptr) {
            object->AddRef();
        }
        return v;
    }

    Variant(Variant&& other) noexcept {
        value_ = other.value_;
        VariantInit(&other.value_);
    }

    VARIANT* get() noexcept { return &value_; }
    const VARIANT* get() const noexcept { return &value_; }
    VARIANT* out() noexcept {  // for APIs that fill a VARIANT: clears what was held first
        VariantClear(&value_);
        return &value_;
    }

  private:
    VARIANT value_;
};

}  // namespace psguard

#endif  // _WIN32
