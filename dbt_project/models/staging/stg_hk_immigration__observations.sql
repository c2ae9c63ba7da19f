{{ stage_observations('hk_immigration_observations') }}
