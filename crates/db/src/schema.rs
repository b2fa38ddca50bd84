//! Diesel table definitions, identical for both backends (portable types only).

diesel::table! {
    instance_settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    roles (id) {
        id -> Text,
        org_id -> Text,
        key -> Nullable<Text>,
        name -> Text,
        permissions -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    teams (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        description -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        org_id -> Text,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        role_id -> Text,
        team_id -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        org_id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        session_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        role_id -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invites (id) {
        id -> Text,
        org_id -> Text,
        email -> Text,
        role_id -> Text,
        team_id -> Nullable<Text>,
        token_hash -> Text,
        invited_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        org_id -> Text,
        occurred_at -> Timestamp,
        actor_kind -> Text,
        actor_id -> Nullable<Text>,
        entity -> Text,
        entity_id -> Text,
        action -> Text,
        changes -> Text,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    recycle_bin (org_id, entity, entity_id) {
        org_id -> Text,
        entity -> Text,
        entity_id -> Text,
        label -> Text,
        deleted_at -> Timestamp,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    outbox_emails (id) {
        id -> Text,
        org_id -> Text,
        to_address -> Text,
        subject -> Text,
        body_text -> Text,
        related_entity -> Nullable<Text>,
        related_id -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        unique_key -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        next_attempt_at -> Nullable<Timestamp>,
        body_html -> Nullable<Text>,
        list_unsubscribe -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (org_id, principal_id, key) {
        org_id -> Text,
        principal_id -> Text,
        key -> Text,
        request_hash -> Text,
        status_code -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
        response_version -> Nullable<BigInt>,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Text,
        email -> Text,
        ip -> Text,
        succeeded -> Bool,
        attempted_at -> Timestamp,
    }
}

diesel::joinable!(users -> roles (role_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(api_keys -> roles (role_id));

diesel::allow_tables_to_appear_in_same_query!(
    instance_settings,
    organizations,
    roles,
    teams,
    users,
    sessions,
    refresh_tokens,
    api_keys,
    invites,
    audit_log,
    recycle_bin,
    outbox_emails,
    idempotency_keys,
    login_attempts,
    lead_settings,
    leads,
    record_tags,
    timeline_events,
    record_links,
    scoring_rules,
    assignment_rules,
    notifications,
    web_forms,
    web_form_submissions,
    jobs,
    sequences,
    sequence_enrollments,
    unsubscribes,
    imports,
    import_rows,
    call_lists,
    call_contacts,
    call_logs,
    mail_settings,
    mail_servers,
    email_engagements,
    lead_views,
    search_documents,
    inbound_email_settings,
    inbound_messages,
    lead_merges,
    custom_field_defs,
    custom_values,
    accounts,
    contacts,
    contact_accounts,
    pipelines,
    pipeline_phases,
    lost_reasons,
    potentials,
    potential_phase_history,
    tax_categories,
    products,
    product_prices,
    price_books,
    price_book_entries,
    activities,
    activity_attendees,
    calendar_feeds,
);

diesel::table! {
    lead_settings (org_id) {
        org_id -> Text,
        duplicate_rule -> Text,
        qualify_threshold -> Nullable<Integer>,
        updated_at -> Timestamp,
        version -> BigInt,
        fallback_owner_id -> Nullable<Text>,
    }
}

diesel::table! {
    leads (id) {
        id -> Text,
        org_id -> Text,
        first_name -> Text,
        last_name -> Text,
        title -> Text,
        email -> Nullable<Text>,
        email_normalized -> Nullable<Text>,
        phone -> Nullable<Text>,
        phone_e164 -> Nullable<Text>,
        company_name -> Text,
        company_domain -> Nullable<Text>,
        company_size -> Nullable<Integer>,
        industry -> Nullable<Text>,
        country -> Nullable<Text>,
        source -> Text,
        source_detail -> Text,
        status -> Text,
        disqualify_reason -> Nullable<Text>,
        revisit_on -> Nullable<Date>,
        owner_id -> Nullable<Text>,
        team_id -> Nullable<Text>,
        score -> Integer,
        sort_name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        deleted_at -> Nullable<Timestamp>,
        score_due_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    record_tags (record_kind, record_id, tag) {
        org_id -> Text,
        record_kind -> Text,
        record_id -> Text,
        tag -> Text,
    }
}

diesel::table! {
    timeline_events (id) {
        id -> Text,
        org_id -> Text,
        record_kind -> Text,
        record_id -> Text,
        occurred_at -> Timestamp,
        kind -> Text,
        from_value -> Nullable<Text>,
        to_value -> Nullable<Text>,
        note -> Nullable<Text>,
        actor_kind -> Text,
        actor_id -> Nullable<Text>,
    }
}

diesel::table! {
    scoring_rules (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        trigger -> Text,
        points -> Integer,
        decay_days -> Nullable<Integer>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    assignment_rules (id) {
        id -> Text,
        org_id -> Text,
        position -> Integer,
        name -> Text,
        conditions -> Text,
        target -> Text,
        capacity -> Nullable<Integer>,
        active -> Bool,
        last_assigned -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        org_id -> Text,
        user_id -> Text,
        kind -> Text,
        title -> Text,
        body -> Text,
        entity -> Nullable<Text>,
        entity_id -> Nullable<Text>,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    web_forms (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        fields -> Text,
        consent_text -> Nullable<Text>,
        thank_you_message -> Text,
        redirect_url -> Nullable<Text>,
        allowed_origins -> Text,
        tags -> Text,
        owner_id -> Nullable<Text>,
        campaign -> Nullable<Text>,
        min_fill_seconds -> Integer,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    web_form_submissions (id) {
        id -> Text,
        org_id -> Text,
        form_id -> Text,
        lead_id -> Nullable<Text>,
        outcome -> Text,
        submission_key -> Nullable<Text>,
        ip -> Text,
        user_agent -> Text,
        referrer -> Nullable<Text>,
        utm -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    jobs (id) {
        id -> Text,
        org_id -> Nullable<Text>,
        kind -> Text,
        payload -> Text,
        unique_key -> Nullable<Text>,
        status -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        max_attempts -> Integer,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    inbound_email_settings (org_id) {
        org_id -> Text,
        secret_hash -> Text,
        rotated_at -> Timestamp,
        rotated_by -> Nullable<Text>,
    }
}

diesel::table! {
    inbound_messages (id) {
        id -> Text,
        org_id -> Text,
        message_key -> Text,
        lead_id -> Nullable<Text>,
        outcome -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    lead_merges (id) {
        id -> Text,
        org_id -> Text,
        kept_id -> Text,
        merged_id -> Text,
        kept_before -> Text,
        moved_event_ids -> Text,
        merged_at -> Timestamp,
        merged_by -> Nullable<Text>,
        undone_at -> Nullable<Timestamp>,
        moved_attachment_ids -> Text,
        moved_activity_ids -> Text,
    }
}

diesel::table! {
    sequences (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        steps -> Text,
        enroll_sources -> Text,
        enroll_form_ids -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sequence_enrollments (id) {
        id -> Text,
        org_id -> Text,
        sequence_id -> Text,
        lead_id -> Text,
        status -> Text,
        stop_reason -> Nullable<Text>,
        steps_sent -> Integer,
        enrolled_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    unsubscribes (org_id, email) {
        org_id -> Text,
        email -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    imports (id) {
        id -> Text,
        org_id -> Text,
        created_by -> Nullable<Text>,
        file_name -> Text,
        status -> Text,
        headers -> Text,
        total_rows -> BigInt,
        mapping -> Nullable<Text>,
        processed -> BigInt,
        created -> BigInt,
        updated -> BigInt,
        skipped -> BigInt,
        failed -> BigInt,
        error -> Nullable<Text>,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        version -> BigInt,
        check_status -> Nullable<Text>,
        check_rows -> BigInt,
        check_valid -> BigInt,
        check_invalid -> BigInt,
        check_dup_existing -> BigInt,
        check_dup_in_file -> BigInt,
    }
}

diesel::table! {
    import_check_rows (import_id, row_number) {
        import_id -> Text,
        row_number -> BigInt,
        kind -> Text,
        errors -> Nullable<Text>,
        lead_id -> Nullable<Text>,
        earlier_row -> Nullable<BigInt>,
    }
}

diesel::table! {
    import_check_keys (import_id, key) {
        import_id -> Text,
        key -> Text,
        row_number -> BigInt,
    }
}

diesel::table! {
    import_rows (import_id, row_number) {
        import_id -> Text,
        row_number -> BigInt,
        cells -> Text,
        status -> Nullable<Text>,
        lead_id -> Nullable<Text>,
        message -> Nullable<Text>,
    }
}

diesel::table! {
    call_lists (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    call_contacts (id) {
        id -> Text,
        org_id -> Text,
        call_list_id -> Text,
        first_name -> Text,
        last_name -> Text,
        title -> Text,
        company_name -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        country -> Nullable<Text>,
        status -> Text,
        next_call_at -> Timestamp,
        attempts -> Integer,
        assigned_to -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        lead_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    call_logs (id) {
        id -> Text,
        org_id -> Text,
        call_contact_id -> Text,
        agent_id -> Nullable<Text>,
        disposition -> Text,
        note -> Nullable<Text>,
        callback_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mail_settings (org_id) {
        org_id -> Text,
        from_name -> Text,
        from_address -> Nullable<Text>,
        reply_to -> Nullable<Text>,
        updated_at -> Timestamp,
        version -> BigInt,
        track_engagement -> Bool,
    }
}

// One search document per record of any kind (see migration 2026-11-29-220000 and core::search).
diesel::table! {
    search_documents (id) {
        id -> BigInt,
        org_id -> Text,
        record_kind -> Text,
        record_id -> Text,
        body -> Text,
    }
}

diesel::table! {
    lead_views (id) {
        id -> Text,
        org_id -> Text,
        owner_id -> Text,
        name -> Text,
        filters -> Text,
        shared -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    mail_servers (org_id) {
        org_id -> Text,
        host -> Text,
        port -> Integer,
        security -> Text,
        username -> Nullable<Text>,
        password_sealed -> Nullable<Text>,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    email_engagements (outbox_id, kind) {
        outbox_id -> Text,
        kind -> Text,
        org_id -> Text,
        first_at -> Timestamp,
        last_at -> Timestamp,
        times -> Integer,
    }
}

diesel::table! {
    custom_field_defs (id) {
        id -> Text,
        org_id -> Text,
        entity -> Text,
        key -> Text,
        label -> Text,
        kind -> Text,
        options -> Text,
        required -> Bool,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        deleted_at -> Nullable<Timestamp>,
        help_text -> Nullable<Text>,
        retired_options -> Text,
    }
}

diesel::table! {
    record_links (from_kind, from_id, to_kind, to_id) {
        org_id -> Text,
        from_kind -> Text,
        from_id -> Text,
        to_kind -> Text,
        to_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    custom_values (record_kind, record_id, field_key) {
        org_id -> Text,
        record_kind -> Text,
        record_id -> Text,
        field_key -> Text,
        value_text -> Nullable<Text>,
        value_number -> Nullable<BigInt>,
        value_folded -> Nullable<Text>,
    }
}

diesel::table! {
    attachments (id) {
        id -> Text,
        org_id -> Text,
        record_kind -> Text,
        record_id -> Text,
        file_name -> Text,
        content_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        storage_key -> Text,
        uploaded_by -> Nullable<Text>,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    attachment_purges (storage_key) {
        storage_key -> Text,
        purged_at -> Timestamp,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Text,
        org_id -> Text,
        user_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_reset_requests (id) {
        id -> Text,
        email -> Text,
        ip -> Text,
        requested_at -> Timestamp,
    }
}

diesel::table! {
    accounts (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        domain -> Nullable<Text>,
        industry -> Nullable<Text>,
        phone -> Nullable<Text>,
        country -> Nullable<Text>,
        lifecycle -> Text,
        parent_id -> Nullable<Text>,
        owner_id -> Nullable<Text>,
        team_id -> Nullable<Text>,
        sort_name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    contacts (id) {
        id -> Text,
        org_id -> Text,
        first_name -> Text,
        last_name -> Text,
        title -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        country -> Nullable<Text>,
        account_id -> Nullable<Text>,
        owner_id -> Nullable<Text>,
        team_id -> Nullable<Text>,
        lead_id -> Nullable<Text>,
        sort_name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    contact_accounts (contact_id, account_id) {
        org_id -> Text,
        contact_id -> Text,
        account_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    pipelines (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        is_default -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    pipeline_phases (id) {
        id -> Text,
        org_id -> Text,
        pipeline_id -> Text,
        name -> Text,
        position -> Integer,
        probability -> Integer,
        kind -> Text,
        forecast -> Text,
        rot_days -> Nullable<Integer>,
        retired -> Bool,
    }
}

diesel::table! {
    lost_reasons (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    potentials (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        account_id -> Nullable<Text>,
        contact_id -> Nullable<Text>,
        pipeline_id -> Text,
        phase_id -> Text,
        phase_kind -> Text,
        amount_minor -> BigInt,
        currency -> Text,
        probability -> Integer,
        probability_overridden -> Bool,
        expected_close_on -> Nullable<Date>,
        owner_id -> Nullable<Text>,
        team_id -> Nullable<Text>,
        lead_id -> Nullable<Text>,
        lost_reason_id -> Nullable<Text>,
        lost_note -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        phase_entered_at -> Timestamp,
        last_activity_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    potential_phase_history (id) {
        id -> Text,
        org_id -> Text,
        potential_id -> Text,
        phase_id -> Text,
        entered_at -> Timestamp,
        exited_at -> Nullable<Timestamp>,
        actor_id -> Nullable<Text>,
    }
}

diesel::table! {
    tax_categories (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        description -> Text,
        rate -> BigInt,
        inclusive -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    products (id) {
        id -> Text,
        org_id -> Text,
        sku -> Text,
        sku_key -> Text,
        name -> Text,
        description -> Text,
        unit -> Text,
        kind -> Text,
        tax_category_id -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    product_prices (product_id, currency) {
        product_id -> Text,
        org_id -> Text,
        currency -> Text,
        unit_price -> BigInt,
    }
}

diesel::table! {
    price_books (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        description -> Text,
        is_default -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    price_book_entries (price_book_id, product_id, currency) {
        price_book_id -> Text,
        org_id -> Text,
        product_id -> Text,
        currency -> Text,
        unit_price -> BigInt,
    }
}

diesel::table! {
    activities (id) {
        id -> Text,
        org_id -> Text,
        record_kind -> Text,
        record_id -> Text,
        kind -> Text,
        subject -> Text,
        body -> Text,
        direction -> Nullable<Text>,
        outcome -> Nullable<Text>,
        duration_seconds -> Nullable<BigInt>,
        starts_at -> Nullable<Timestamp>,
        ends_at -> Nullable<Timestamp>,
        time_zone -> Nullable<Text>,
        location -> Nullable<Text>,
        due_at -> Nullable<Timestamp>,
        priority -> Nullable<Text>,
        assignee_id -> Nullable<Text>,
        done_at -> Nullable<Timestamp>,
        remind_at -> Nullable<Timestamp>,
        reminded_at -> Nullable<Timestamp>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    activity_attendees (activity_id, attendee_kind, attendee_id) {
        activity_id -> Text,
        org_id -> Text,
        attendee_kind -> Text,
        attendee_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    calendar_feeds (user_id) {
        user_id -> Text,
        org_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
    }
}
