{{ stage_observations('curated_observations') }}
