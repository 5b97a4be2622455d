#include "app/environment.h"

#include <string_view>

namespace gaia::app {

Settings settings_from_environment(const char* const* envp) {
  constexpr SettingName kNames[] = {kPortSetting,
                                    kBindSetting,
                                    kDatabaseUrlSetting,
                                    kTimeZoneSetting,
                                    kThreadsSetting,
                                    kRetentionSetting,
                                    kMetricsOpenSetting,
                                    kConfigSetting,
                                    kAdminKeySetting,
                                    kStoreFailureSetting,
                                    kStoreConnectRetrySetting,
                                    kDataDirSetting,
                                    kExecWorkersSetting,
                                    kQueueMaxWaitSetting,
                                    kThrottleSlowSetting,
                                    kThrottleStopSetting,
                                    kProcRootSetting,
                                    kExecCgroupsSetting,
                                    kConfirmAiEnabledSetting,
                                    kConfirmReviewerUrlSetting,
                                    kConfirmReviewerTimeoutSetting,
                                    kConfirmReviewerMaxInflightSetting,
                                    kConfirmFallbackSetting,
                                    kAlertIntervalSetting,
                                    kAlertWebhookUrlSetting,
                                    kAlertWebhookSecretSetting,
                                    kConfirmApprovalWaitSetting};
  Settings settings;
  for (; envp != nullptr && *envp != nullptr; ++envp) {
    std::string_view entry = *envp;
    std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq + 1 == entry.size()) continue;  // empty: unset
    for (const SettingName& name : kNames) {
      if (entry.substr(0, eq) == name.env) settings[name.key] = std::string(entry.substr(eq + 1));
    }
  }
  return settings;
}

}  // namespace gaia::app
