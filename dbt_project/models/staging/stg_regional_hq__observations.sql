{{ stage_observations('regional_hq_observations') }}
