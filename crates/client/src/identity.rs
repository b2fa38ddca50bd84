//! Identity: sign-up and sessions, the signed-in person, users, teams, roles, API keys and invitations.

use super::*;

impl Client {
    // ---- authentication ----

    pub async fn signup(&self, req: &SignupRequest) -> Result<TokenResponse> {
        let tokens: TokenResponse = self.post("/api/v1/auth/signup", req).await?;
        self.store(&tokens);
        Ok(tokens)
    }
    pub async fn login(&self, email: &str, password: &str) -> Result<TokenResponse> {
        let req = LoginRequest { email: email.to_owned(), password: password.to_owned() };
        let response = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&req)
            .send()
            .await
            .map_err(|e| ClientError::Network(e.to_string()))?;
        let tokens: TokenResponse = decode(response).await?;
        self.store(&tokens);
        Ok(tokens)
    }
    /// Trade the refresh token (or, in the browser, the refresh cookie) for a new pair.
    pub async fn refresh(&self) -> Result<TokenResponse> {
        let req = RefreshRequest { refresh_token: self.refresh_token() };
        let response = self
            .http
            .post(self.url("/api/v1/auth/refresh"))
            .json(&req)
            .send()
            .await
            .map_err(|e| ClientError::Network(e.to_string()))?;
        match decode::<TokenResponse>(response).await {
            Ok(tokens) => {
                self.store(&tokens);
                Ok(tokens)
            }
            Err(e) => {
                self.clear();
                Err(e)
            }
        }
    }
    pub async fn logout(&self) -> Result<()> {
        let req = RefreshRequest { refresh_token: self.refresh_token() };
        let result = self.post::<_, serde_json::Value>("/api/v1/auth/logout", &req).await;
        self.clear();
        result.map(|_| ())
    }
    pub async fn me(&self) -> Result<Me> {
        self.get("/api/v1/me", &()).await
    }
    pub async fn change_password(&self, current: &str, new: &str) -> Result<()> {
        let req = ChangePasswordRequest { current_password: current.into(), new_password: new.into() };
        self.post::<_, serde_json::Value>("/api/v1/me/password", &req).await?;
        self.clear();
        Ok(())
    }
    pub async fn accept_invite(&self, req: &AcceptInviteRequest) -> Result<TokenResponse> {
        let tokens: TokenResponse = self.post("/api/v1/auth/accept-invite", req).await?;
        self.store(&tokens);
        Ok(tokens)
    }
    /// What an invitation link is for (the organization and the address), before accepting it.
    pub async fn invite_preview(&self, token: &str) -> Result<InvitePreview> {
        self.post("/api/v1/auth/invite-preview", &InvitePreviewRequest { token: token.to_owned() }).await
    }
    /// Ask for a reset link by email; the answer is the same whether or not the address has an account.
    pub async fn request_password_reset(&self, email: &str) -> Result<()> {
        let req = PasswordResetRequest { email: email.to_owned() };
        self.post::<_, serde_json::Value>("/api/v1/auth/password-reset", &req).await.map(|_| ())
    }
    /// Set a new password with the token from a reset email; every session of the user ends.
    pub async fn confirm_password_reset(&self, token: &str, password: &str) -> Result<()> {
        let req = PasswordResetConfirm { token: token.to_owned(), password: password.to_owned() };
        self.post::<_, serde_json::Value>("/api/v1/auth/password-reset/confirm", &req).await?;
        self.clear();
        Ok(())
    }

    // ---- users ----

    pub async fn list_people(&self, q: &PageQuery) -> Result<Page<PersonView>> {
        self.get("/api/v1/people", q).await
    }
    pub async fn list_users(&self, q: &UserListQuery) -> Result<Page<UserView>> {
        self.get("/api/v1/users", q).await
    }
    pub async fn get_user(&self, id: UserId) -> Result<UserView> {
        self.get(&format!("/api/v1/users/{id}"), &()).await
    }
    pub async fn update_user(&self, id: UserId, version: i64, patch: &UserPatch) -> Result<UserView> {
        self.patch(&format!("/api/v1/users/{id}"), version, patch).await
    }

    // ---- teams ----

    pub async fn list_teams(&self, q: &TeamListQuery) -> Result<Page<TeamView>> {
        self.get("/api/v1/teams", q).await
    }
    pub async fn create_team(&self, team: &NewTeam) -> Result<TeamView> {
        self.post("/api/v1/teams", team).await
    }
    pub async fn get_team(&self, id: TeamId) -> Result<TeamView> {
        self.get(&format!("/api/v1/teams/{id}"), &()).await
    }
    pub async fn update_team(&self, id: TeamId, version: i64, patch: &TeamPatch) -> Result<TeamView> {
        self.patch(&format!("/api/v1/teams/{id}"), version, patch).await
    }
    pub async fn delete_team(&self, id: TeamId) -> Result<()> {
        self.delete(&format!("/api/v1/teams/{id}")).await
    }
    pub async fn restore_team(&self, id: TeamId) -> Result<TeamView> {
        self.post(&format!("/api/v1/teams/{id}/restore"), &()).await
    }

    // ---- roles ----

    pub async fn list_roles(&self, q: &PageQuery) -> Result<Page<RoleView>> {
        self.get("/api/v1/roles", q).await
    }
    pub async fn create_role(&self, role: &NewRole) -> Result<RoleView> {
        self.post("/api/v1/roles", role).await
    }
    pub async fn update_role(&self, id: RoleId, version: i64, patch: &RolePatch) -> Result<RoleView> {
        self.patch(&format!("/api/v1/roles/{id}"), version, patch).await
    }

    // ---- API keys ----

    pub async fn list_api_keys(&self, q: &PageQuery) -> Result<Page<ApiKeyView>> {
        self.get("/api/v1/api-keys", q).await
    }
    pub async fn create_api_key(&self, key: &NewApiKey) -> Result<CreatedApiKey> {
        self.post("/api/v1/api-keys", key).await
    }
    pub async fn revoke_api_key(&self, id: ApiKeyId) -> Result<()> {
        self.delete(&format!("/api/v1/api-keys/{id}")).await
    }

    // ---- invitations ----

    pub async fn list_invites(&self, q: &PageQuery) -> Result<Page<InviteView>> {
        self.get("/api/v1/invites", q).await
    }
    pub async fn create_invite(&self, invite: &NewInvite) -> Result<CreatedInvite> {
        self.post("/api/v1/invites", invite).await
    }
    pub async fn revoke_invite(&self, id: InviteId) -> Result<()> {
        self.delete(&format!("/api/v1/invites/{id}")).await
    }
}
