{{ stage_observations('openalex_observations') }}
